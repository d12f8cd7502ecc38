/**
 * The Home Console kernel's contracts.
 *
 * <p>Plugins see only these five services: {@link org.homeconsole.api.events.EventBus},
 * {@link org.homeconsole.api.services.ServiceRegistry}, {@link org.homeconsole.api.state.StateEngine},
 * {@link org.homeconsole.api.storage.Storage} and, through {@link org.homeconsole.api.plugin.PluginContext},
 * the HTTP routes they contribute to the core's single server. Implementations live in
 * {@code homeconsole-core-runtime} and the connector modules.
 */
package org.homeconsole.api;
