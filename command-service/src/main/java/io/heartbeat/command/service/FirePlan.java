package io.heartbeat.command.service;

import java.time.Instant;
import java.time.ZoneId;

import io.heartbeat.command.store.Schedule;

/**
 * What one due schedule's fire does at {@code now}, worked out before anything is written: the newest due fire time,
 * how many fire times make no command, whether that newest one still makes a command (its TTL, counted from the fire
 * time, has not passed), and the schedule's next fire time.
 *
 * @param fireTime the newest fire time at or before now (the one a command is made for)
 * @param missed fire times that make no command: the older ones, and the newest too when its TTL passed
 * @param makesCommand whether a command is made for {@code fireTime}
 * @param next the next fire time after now; null: none ever again (or the cron is unreadable)
 * @param stopped whether the schedule's cron or time zone is unreadable (it then never fires again)
 */
public record FirePlan(Instant fireTime, long missed, boolean makesCommand, Instant next, boolean stopped) {

    public static FirePlan of(Schedule s, Instant now) {
        CronTimes times;
        try {
            times = CronTimes.of(s.cron(), ZoneId.of(s.timeZone()));
        } catch (RuntimeException e) {
            return new FirePlan(null, 0, false, null, true);
        }
        Instant latest = times.latest(s.nextFireAt(), now);
        long skipped = times.count(s.nextFireAt(), latest);
        Instant next = times.after(now).orElse(null);
        boolean worthDoing = latest.plus(s.command().spec().ttl()).isAfter(now);
        return new FirePlan(latest, worthDoing ? skipped : skipped + 1, worthDoing, next, false);
    }
}
