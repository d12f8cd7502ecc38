package org.homeconsole.clientmanager.registry;

/** The registry contract on a single node's registry in memory (every node id gets the same instance). */
class InMemoryConnectionRegistryTest extends ConnectionRegistryContract {

    private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry(1000);

    @Override
    ConnectionRegistry registry(String nodeId) {
        return registry;
    }
}
