package org.homeconsole.runtime.config;

/** A setting has a value the platform cannot start with; the message names the setting. */
public class SettingsException extends RuntimeException {
    private final String setting;

    public SettingsException(String setting, String message) {
        super(setting + ": " + message);
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }
}
