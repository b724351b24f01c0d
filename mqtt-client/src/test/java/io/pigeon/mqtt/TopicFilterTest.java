package io.pigeon.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The matching examples of MQTT 3.1.1 §4.7, and a few edges around empty levels. */
class TopicFilterTest {
    @ParameterizedTest
    @CsvSource({
        "sport/tennis/player1/#, sport/tennis/player1, true",
        "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
        "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
        "sport/#, sport, true",
        "#, sport/tennis, true",
        "#, /, true",
        "sport/tennis/+, sport/tennis/player1, true",
        "sport/tennis/+, sport/tennis/player1/ranking, false",
        "sport/+, sport, false",
        "sport/+, sport/, true",
        "+/+, /finance, true",
        "/+, /finance, true",
        "+, /finance, false",
        "+, sport, true",
        "+/tennis/#, sport/tennis/player1, true",
        "sport/tennis, sport/tennis, true",
        "sport/tennis, sport/tennis2, false",
        "sport/tennis, sport/tenni, false",
        "sport/tennis, sport, false",
        "sport, sport/tennis, false",
        "a/+/c, a//c, true",
        "a/+/c, a/b/c/d, false",
        "#, $SYS/broker/load, false",
        "+/monitor/Clients, $SYS/monitor/Clients, false",
        "$SYS/#, $SYS/monitor/Clients, true",
        "$SYS/monitor/+, $SYS/monitor/Clients, true",
        "/, /, true",
        "a/#, a/, true",
    })
    void matchesAsSection47Says(String filter, String topic, boolean expected) {
        TopicFilter.checkFilter(filter);
        assertEquals(expected, TopicFilter.matches(filter, topic), filter + " vs " + topic);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sport/tennis#", "sport/tennis/#/ranking", "sport+", "+a", "a/#/", "##", ""})
    void invalidFiltersAreRejected(String filter) {
        assertThrows(IllegalArgumentException.class, () -> TopicFilter.checkFilter(filter));
    }

    @Test
    void validFiltersAreAccepted() {
        for (String f : new String[] {"#", "+", "+/+", "/+", "sport/+/player1", "a/b/#", "$SYS/#"}) {
            TopicFilter.checkFilter(f);
        }
    }
}
