package dev.pipeline.load;

/** One valid event to produce: its record key, value, and the event id a resend keeps. */
public record GeneratedEvent<V>(String key, V value, String eventId) {}
