package io.pigeon.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test once per broker of {@link BrokerKind#all()} (Moquette; mosquitto too with
 * {@code -Dpigeon.mosquitto=true}). The test may take a {@link TestBroker} (started before it with
 * {@link BrokerKind.BrokerConfig#anonymous()}, stopped after it) or the {@link BrokerKind}, to start its own.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(BrokerExtension.class)
public @interface EachBroker {
}
