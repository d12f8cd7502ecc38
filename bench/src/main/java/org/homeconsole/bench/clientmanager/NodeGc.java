package org.homeconsole.bench.clientmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The node's GC counters through its own Jolokia endpoint ({@code /observe/jolokia} on the core's HTTP port): one
 * HTTP request, cheap enough to take at the edges of a measured window (starting {@code jstat} costs a JVM start).
 *
 * @param millis collection time of every collector; -1 unknown
 * @param count collections of every collector
 * @param allocatedBytes bytes allocated by all the node's threads so far ({@code TotalThreadAllocatedBytes} of
 *                       {@code java.lang:type=Threading}); -1 unknown
 */
record NodeGc(long millis, long count, long allocatedBytes) {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static NodeGc of(int httpPort) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/observe/jolokia/read/java.lang:type=GarbageCollector,name=*/CollectionTime,CollectionCount"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            long millis = 0;
            long count = 0;
            for (JsonNode gc : MAPPER.readTree(r.body()).path("value")) {
                millis += gc.path("CollectionTime").asLong();
                count += gc.path("CollectionCount").asLong();
            }
            HttpResponse<String> a = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/observe/jolokia/read/java.lang:type=Threading/TotalThreadAllocatedBytes"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode allocated = MAPPER.readTree(a.body()).path("value");
            return new NodeGc(millis, count, allocated.isNumber() ? allocated.asLong() : -1);
        } catch (Exception e) {
            return new NodeGc(-1, -1, -1);
        }
    }

    NodeGc since(NodeGc start) {
        return millis < 0 || start.millis < 0 ? new NodeGc(-1, -1, -1) : new NodeGc(millis - start.millis, count - start.count,
                allocatedBytes < 0 || start.allocatedBytes < 0 ? -1 : allocatedBytes - start.allocatedBytes);
    }
}
