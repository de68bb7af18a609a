package io.heartbeat.command.service;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * The fire times of a five-field (Unix) cron expression in a time zone: {@code minute hour day-of-month month
 * day-of-week}, with {@code *}, lists, ranges, steps and names, as crontab and Laravel's scheduler read them. Daylight
 * saving changes follow the zone's rules.
 */
public final class CronTimes {

    /** Missed fire times are counted up to this many (a week of an every-minute schedule is 10,080). */
    static final int COUNT_LIMIT = 100_000;

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final ExecutionTime times;
    private final ZoneId zone;

    private CronTimes(ExecutionTime times, ZoneId zone) {
        this.times = times;
        this.zone = zone;
    }

    /**
     * @throws IllegalArgumentException with a reason a user can act on, when the expression is not a valid five-field
     *         cron expression
     */
    public static CronTimes of(String expression, ZoneId zone) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("is required");
        }
        try {
            return new CronTimes(ExecutionTime.forCron(PARSER.parse(expression.trim()).validate()), zone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a five-field cron expression (minute hour day-of-month month "
                    + "day-of-week): " + e.getMessage(), e);
        }
    }

    /** The first fire time strictly after {@code t}; empty if there is none (e.g. "0 0 30 2 *"). */
    public Optional<Instant> after(Instant t) {
        return times.nextExecution(ZonedDateTime.ofInstant(t, zone)).map(ZonedDateTime::toInstant)
                .filter(next -> next.isAfter(t));
    }

    /** The newest fire time at or before {@code t}, not before {@code floor}; {@code floor} when there is none. */
    public Instant latest(Instant floor, Instant t) {
        Instant latest = times.lastExecution(ZonedDateTime.ofInstant(t, zone)).map(ZonedDateTime::toInstant)
                .orElse(floor);
        Optional<Instant> next = after(latest);
        if (next.isPresent() && !next.get().isAfter(t)) {
            latest = next.get(); // t is a fire time itself
        }
        return latest.isBefore(floor) ? floor : latest;
    }

    /** How many fire times lie in {@code [from, to)}, counted up to {@link #COUNT_LIMIT}. */
    public long count(Instant from, Instant to) {
        long n = 0;
        Instant t = from;
        while (t.isBefore(to) && n < COUNT_LIMIT) {
            n++;
            Optional<Instant> next = after(t);
            if (next.isEmpty()) {
                break;
            }
            t = next.get();
        }
        return n;
    }
}
