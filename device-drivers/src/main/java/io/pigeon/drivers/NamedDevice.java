package io.pigeon.drivers;

/** What every driver has: the name the config gives it, and whether it senses, acts or both. */
public abstract class NamedDevice implements Device {
    /** The device's name from the config: also its Pi4J id and what its log lines say. */
    protected final String name;
    private final DeviceKind kind;

    protected NamedDevice(Settings settings, DeviceKind kind) {
        this.name = settings.device();
        this.kind = kind;
    }

    @Override
    public final String name() {
        return name;
    }

    /** Fixed by the driver; a driver whose kind depends on its settings overrides this. */
    @Override
    public DeviceKind kind() {
        return kind;
    }
}
