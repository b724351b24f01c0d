package io.pigeon.sim;

import io.pigeon.drivers.serial.Nmea;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;

/**
 * A GPS receiver driving a loop around a point at about 30 km/h: GGA and RMC sentences with correct
 * checksums, once a second.
 */
public final class GpsSim extends SerialSim {
    private static final double LAT = 48.1173;
    private static final double LON = 11.5167;
    private double angle;

    public GpsSim(String name, Path link, World world) throws IOException {
        super(name, link, world);
    }

    @Override
    public String driver() {
        return "nmea";
    }

    @Override
    public String configSnippet() {
        return "timeout: 10s\n";
    }

    @Override
    protected byte[] frame() {
        angle += 0.01;
        double lat = LAT + 0.005 * Math.sin(angle);
        double lon = LON + 0.0075 * Math.cos(angle);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String time = String.format(Locale.ROOT, "%02d%02d%02d.00", now.getHour(), now.getMinute(), now.getSecond());
        String date = String.format(Locale.ROOT, "%02d%02d%02d", now.getDayOfMonth(), now.getMonthValue(), now.getYear() % 100);
        String la = nmea(lat, 2) + "," + (lat >= 0 ? "N" : "S");
        String lo = nmea(lon, 3) + "," + (lon >= 0 ? "E" : "W");
        String gga = Nmea.sentence("GPGGA," + time + "," + la + "," + lo + ",1,08,0.9,"
            + String.format(Locale.ROOT, "%.1f", 520 + world.noise(0.5)) + ",M,46.9,M,,");
        String rmc = Nmea.sentence("GPRMC," + time + ",A," + la + "," + lo + ",016.2,"
            + String.format(Locale.ROOT, "%.1f", (Math.toDegrees(angle) + 90) % 360) + "," + date + ",,,A");
        return ascii(gga + "\r\n" + rmc + "\r\n");
    }

    static String nmea(double degrees, int width) {
        double a = Math.abs(degrees);
        int d = (int) a;
        double minutes = (a - d) * 60;
        return String.format(Locale.ROOT, "%0" + width + "d%07.4f", d, minutes);
    }

    @Override
    protected byte[] corrupt(byte[] frame) {
        String s = new String(frame, java.nio.charset.StandardCharsets.US_ASCII);
        return ascii(s.replaceAll("\\*([0-9A-F]{2})", "*00"));
    }
}
