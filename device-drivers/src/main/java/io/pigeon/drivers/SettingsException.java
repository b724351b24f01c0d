package io.pigeon.drivers;

/**
 * A setting is missing or wrong; the message names where (file and line), what (a device or a config
 * section), the field and the problem.
 */
public final class SettingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String subject;
    private final String field;

    /** @param subject what the settings belong to, e.g. {@code device 'climate'} or {@code section 'mqtt'} */
    public SettingsException(String where, String subject, String field, String problem) {
        super((where == null || where.isEmpty() ? "" : where + ": ") + subject
            + (field == null ? "" : ", field '" + field + "'") + ": " + problem);
        this.subject = subject;
        this.field = field;
    }

    public String subject() {
        return subject;
    }

    public String field() {
        return field;
    }
}
