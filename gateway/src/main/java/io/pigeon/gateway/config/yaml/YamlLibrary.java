package io.pigeon.gateway.config.yaml;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;

/**
 * The YAML library (about 120 classes) and the one class that uses it, {@link SnakeYamlReader} with its nested
 * classes, loaded apart from the gateway's classes. The config is read once, at start: afterwards nothing
 * refers to this loader, and the next full GC unloads all of them, instead of the gateway keeping their class
 * metadata for as long as it runs, and its class-data archive holding them at every start (the archive lists
 * only the classes of the JDK's own loaders). Every other class, this package's interface included, comes
 * from the parent.
 */
public final class YamlLibrary extends ClassLoader {
    private static final String READER = "io.pigeon.gateway.config.yaml.SnakeYamlReader";
    private static final String LIBRARY = "org.snakeyaml.";

    private final ClassLoader source;

    private YamlLibrary(ClassLoader source) {
        super("pigeon-yaml", source);
        this.source = source;
    }

    /** A reader in a loader of its own: use it, then drop it. */
    public static YamlReader reader() {
        try {
            return (YamlReader) new YamlLibrary(YamlReader.class.getClassLoader()).loadClass(READER)
                .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            Throwable cause = e instanceof InvocationTargetException i && i.getCause() != null ? i.getCause() : e;
            throw new IllegalStateException("the YAML library cannot be loaded: " + cause, cause);
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(LIBRARY) && !name.equals(READER) && !name.startsWith(READER + "$")) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = define(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    /** The class file as the parent would read it (from the jar, or from a folder in tests), defined here. */
    private Class<?> define(String name) throws ClassNotFoundException {
        try (InputStream in = source.getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }
}
