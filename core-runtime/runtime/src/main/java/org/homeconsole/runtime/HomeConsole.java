package org.homeconsole.runtime;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.homeconsole.runtime.config.Settings;
import org.homeconsole.runtime.config.SettingsException;
import org.homeconsole.runtime.config.SettingsSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process entry point: reads the settings, starts the {@link Platform} and keeps it running until the
 * process is told to stop. Exit code 2 for a bad setting (the message names it), 1 for any other start-up
 * failure.
 */
public final class HomeConsole {

    private static final Logger LOG = LoggerFactory.getLogger(HomeConsole.class);

    private HomeConsole() {
    }

    public static void main(String[] args) {
        Path workDir = Path.of("").toAbsolutePath();
        Settings settings;
        try {
            settings = Settings.load(SettingsSource.standard(System.getenv(), workDir), workDir);
            settings.prepareDataDir();
        } catch (SettingsException e) {
            LOG.error("Cannot start: bad setting {}", e.getMessage());
            System.exit(2);
            return;
        }
        Platform platform;
        try {
            platform = Platform.start(settings);
        } catch (SettingsException e) {
            LOG.error("Cannot start: bad setting {}", e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            LOG.error("Cannot start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping Home Console");
            platform.close();
            stopped.countDown();
        }, "homeconsole-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
