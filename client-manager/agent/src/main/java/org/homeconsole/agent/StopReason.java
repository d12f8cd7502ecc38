package org.homeconsole.agent;

/** Why an agent connection stopped for good (it never reconnects after one of these), with the process exit code. */
enum StopReason {
    /** Asked to stop (SIGTERM, {@code close()}). */
    SHUTDOWN(0),
    /** The server answered the upgrade with HTTP 401/403. */
    TOKEN_REFUSED(3),
    /** The server closed with 4010: the token was revoked. */
    TOKEN_REVOKED(3),
    /** The server closed with 4000: a newer connection with the same agent id took over. */
    REPLACED(4),
    /** No common protocol version (close 4003, or a welcome for a version this agent does not speak). */
    UNSUPPORTED_VERSION(5);

    private final int exitCode;

    StopReason(int exitCode) {
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
