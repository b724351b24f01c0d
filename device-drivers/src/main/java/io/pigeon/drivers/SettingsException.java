package io.pigeon.drivers;

/** A device setting is missing or wrong; the message names the device, the field and the problem. */
public final class SettingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String device;
    private final String field;

    public SettingsException(String where, String device, String field, String problem) {
        super((where == null || where.isEmpty() ? "" : where + ": ") + "device '" + device + "'"
            + (field == null ? "" : ", field '" + field + "'") + ": " + problem);
        this.device = device;
        this.field = field;
    }

    public String device() {
        return device;
    }

    public String field() {
        return field;
    }
}
