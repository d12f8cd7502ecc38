package org.homeconsole.runtime.routes;

import java.time.Instant;
import java.util.List;

/**
 * One route file as the admin API shows it.
 *
 * @param file path relative to the routes folder
 * @param state {@code LOADED}, or {@code FAILED} when the last version could not be loaded
 * @param routes ids of the routes running from this file (a failed edit keeps the previous version's routes)
 * @param error why the last load failed, or {@code null}
 */
public record RouteFileStatus(String file, String state, List<String> routes, String error, Instant changedAt) {
}
