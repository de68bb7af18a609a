package io.heartbeat.cli.device;

import java.io.PrintStream;
import java.time.Instant;

/**
 * The device side's log, in the key=value form of seed 001's logrus logger ({@code time=... level=info
 * msg="Heartbeat published successfully" message=...}), on stderr so stdout stays for results.
 */
public final class Log {

    private final PrintStream out;
    private final boolean debug;

    public Log(PrintStream out, boolean debug) {
        this.out = out;
        this.debug = debug;
    }

    public void info(String msg, Object... fields) {
        write("info", msg, fields);
    }

    public void warn(String msg, Object... fields) {
        write("warning", msg, fields);
    }

    public void error(String msg, Object... fields) {
        write("error", msg, fields);
    }

    public void debug(String msg, Object... fields) {
        if (debug) {
            write("debug", msg, fields);
        }
    }

    private void write(String level, String msg, Object... fields) {
        StringBuilder sb = new StringBuilder(128).append("time=\"").append(Instant.now()).append("\" level=")
                .append(level).append(" msg=").append(quote(msg));
        for (int i = 0; i + 1 < fields.length; i += 2) {
            sb.append(' ').append(fields[i]).append('=').append(quote(String.valueOf(fields[i + 1])));
        }
        synchronized (out) {
            out.println(sb);
            out.flush();
        }
    }

    /** A value as logrus writes it: bare if it has no blank or quote, else quoted with escapes. */
    static String quote(String s) {
        boolean bare = !s.isEmpty();
        for (int i = 0; i < s.length() && bare; i++) {
            char c = s.charAt(i);
            bare = c > ' ' && c != '"' && c != '=' && c != '\\';
        }
        if (bare) {
            return s;
        }
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
