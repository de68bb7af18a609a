package io.heartbeat.contracts;

/**
 * An event could not be read from (or written to) JSON. The message names the event type, where in the document the
 * problem is and what it is; the Jackson exception is kept as the cause.
 */
public class EventFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final Class<?> eventType;

    public EventFormatException(Class<?> eventType, String message, Throwable cause) {
        super(message, cause);
        this.eventType = eventType;
    }

    /** @return the event type that was being read or written */
    public Class<?> eventType() {
        return eventType;
    }
}
