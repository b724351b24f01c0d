package io.pigeon.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The YAML library is loaded apart from the gateway's classes and unloaded once the config is read. */
class YamlLibraryTest {
    /** The gateway's classes as the jar's loader holds them, with a way to ask what it has loaded. */
    private static final class GatewayLoader extends URLClassLoader {
        GatewayLoader() {
            super("gateway", classPath(), ClassLoader.getPlatformClassLoader());
        }

        boolean loaded(String name) {
            return findLoadedClass(name) != null;
        }

        private static URL[] classPath() {
            return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(p -> {
                try {
                    return Path.of(p).toUri().toURL();
                } catch (MalformedURLException e) {
                    throw new IllegalStateException(e);
                }
            }).toArray(URL[]::new);
        }
    }

    @Test
    void theGatewaysLoaderNeverLoadsTheYamlLibraryAndItsClassesUnloadAfterReading() throws Exception {
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        long unloadedBefore = classes.getUnloadedClassCount();
        try (GatewayLoader gateway = new GatewayLoader()) {
            Class<?> loader = gateway.loadClass(ConfigLoader.class.getName());
            Object config = loader.getMethod("parse", Path.class, String.class)
                .invoke(loader.getConstructor(Map.class).newInstance(Map.of()), Path.of("pigeon.yaml"),
                    ConfigLoaderTest.VALID);
            assertEquals(config.getClass().getClassLoader(), gateway, "the config was read in the gateway's loader");
            assertTrue(gateway.loaded(YamlTree.class.getName()));
            assertFalse(gateway.loaded("org.snakeyaml.engine.v2.api.LoadSettings"), "snakeyaml in the gateway's loader");
            assertFalse(gateway.loaded("io.pigeon.gateway.config.yaml.SnakeYamlReader"));

            // Nothing refers to the YAML library's loader now: a full GC unloads its classes (snakeyaml's
            // composer alone is more than 100), while the gateway's stay.
            long unloaded = 0;
            for (int i = 0; i < 20 && unloaded < 100; i++) {
                System.gc();
                Thread.sleep(50);
                unloaded = classes.getUnloadedClassCount() - unloadedBefore;
            }
            assertTrue(unloaded >= 100, "classes unloaded: " + unloaded);
            assertTrue(gateway.loaded(YamlTree.class.getName()));
        }
    }
}
