package org.homeconsole.clientmanager.registry;

/**
 * A shared registry's store (Redis) could not be reached, or did not answer within the command timeout. The
 * call may or may not have taken effect. Callers log it and go on; the registry reconnects by itself and, if the
 * store lost its state meanwhile, says so through its state-lost callback.
 */
public class RegistryUnavailableException extends RuntimeException {

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
