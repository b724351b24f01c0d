package io.pigeon.sim;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import io.pigeon.testing.Ports;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The demo's status page in a real browser (headless Chromium): the cards appear, a reading changes live, an
 * unplugged device turns its card offline, and the page fits a phone. Screenshots go to {@code target/}.
 */
class StatusPageBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static String value(String device, String reading) {
        return "document.querySelector('[data-device=\"" + device + "\"] [data-reading=\"" + reading
            + "\"] .value')?.textContent";
    }

    @Test
    void theDemoPageShowsDevicesLiveAndAnUnpluggedOneGoesOffline() throws Exception {
        Chromium.binary(); // skips here before anything starts when there is no browser
        int port = Ports.free();
        Demo demo = new Demo(null, port, Demo.resource("/demo-scenario.yaml").replaceAll("(?s)faults:.*", "faults: []\n"), 0);
        try (MqttClient commander = new MqttClient(MqttOptions.builder().host("127.0.0.1").port(port).clientId("page-test"))) {
            demo.start();
            String url = demo.pageUrl();
            assertNotNull(url, "the demo serves its page");
            commander.connect(WAIT);
            try (Chromium browser = new Chromium(url, 1280, 1000)) {
                browser.await("document.querySelectorAll('.card').length === " + DemoTest.DEVICES.size(), WAIT,
                    "a card per device");
                browser.await("document.getElementById('link').textContent === 'broker connected'", WAIT,
                    "the header's broker state");
                String before = browser.await(value("room", "temperature"), WAIT, "the room's temperature");

                // Live: the heater warms the room; the page shows the heater ON and a new temperature, unreloaded.
                browser.eval("window.notReloaded = true");
                commander.publish("pigeon/demo/heater/set", "ON".getBytes(UTF_8), 1, false);
                browser.await(value("heater", "state") + " === 'ON'", WAIT, "the heater ON");
                browser.await(value("room", "temperature") + " !== '" + before + "'", WAIT,
                    "the room's temperature changing from " + before);
                browser.await("document.querySelector('[data-device=\"room\"] svg polyline') !== null", WAIT,
                    "the room's plot");

                // An unplugged GPS: its card goes offline with the reason, and the alert is listed.
                demo.simulation().fault("gps", "unplug", Duration.ofSeconds(30));
                browser.await("document.querySelector('[data-device=\"gps\"]').classList.contains('offline')", WAIT,
                    "the GPS card offline");
                browser.await("document.querySelector('[data-device=\"gps\"] .reason').textContent.length > 0", WAIT,
                    "the reason shown");
                browser.await("[...document.querySelectorAll('#alerts li')].some(li => li.textContent.includes('gps offline'))",
                    WAIT, "the alert listed");
                assertEquals("true", browser.eval("window.notReloaded === true"), "no reload");
                // Nothing but the gateway itself was asked for anything (no CDN, no font).
                assertEquals("true", browser.eval("performance.getEntriesByType('resource')"
                    + ".every(e => e.name.startsWith(location.origin))"));
                browser.screenshot(Path.of("target/status-page.png"));

                // A phone: no sideways scrolling.
                browser.send("Emulation.setDeviceMetricsOverride",
                    "{\"width\":390,\"height\":844,\"deviceScaleFactor\":2,\"mobile\":true}");
                browser.await("document.documentElement.scrollWidth <= window.innerWidth", WAIT, "a page as wide as a phone");
                browser.screenshot(Path.of("target/status-page-phone.png"));
            }
        } finally {
            demo.close();
        }
    }
}
