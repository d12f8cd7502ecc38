package org.homeconsole.clientmanager.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.homeconsole.api.events.Event;
import org.homeconsole.api.events.EventBus;
import org.homeconsole.api.events.EventHandler;
import org.homeconsole.api.events.Subscription;
import org.homeconsole.api.storage.Storage;
import org.homeconsole.clientmanager.EventsOut;
import org.homeconsole.clientmanager.protocol.Messages;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Recent jobs: an ended job answers like the live one did, and memory stays within the limits. */
class JobManagerTest {

    private static final int INLINE = 64 * 1024;
    private static final long BIG = 1L << 40;

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Event> published = new CopyOnWriteArrayList<>();
    private final Map<String, JsonNode> stored = new ConcurrentHashMap<>();
    private final EventsOut events = new EventsOut(new RecordingBus(), "test");
    private JobManager jobs;

    @AfterEach
    void stop() {
        events.close();
    }

    private JobManager jobs(JobManager.Limits limits) {
        jobs = new JobManager("node-1", (agent, message) -> Optional.of("session-" + agent), events, new MapStorage(),
                mapper, limits);
        return jobs;
    }

    private Job submit(String shell, String... agents) {
        ObjectNode target = mapper.createObjectNode();
        ArrayNode ids = target.putArray("agent_ids");
        for (String agent : agents) {
            ids.add(agent);
        }
        return jobs.submit(new CommandSpec(null, shell, 10_000, 1 << 20, null, null), List.of(agents), target, 0);
    }

    private void output(Job job, String agent, String stream, int seq, String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        assertThat(jobs.output(agent, Messages.output(job.run(agent).commandId(), stream, seq, data, 0, data.length), data))
                .isNull();
    }

    private void succeed(Job job, String agent) {
        assertThat(jobs.result(agent, Messages.result(job.run(agent).commandId(), Protocol.STATE_SUCCEEDED, 0, 5, 0,
                false, null))).isNull();
    }

    private String text(JsonNode json) throws Exception {
        return mapper.writeValueAsString(json);
    }

    @Test
    void anEndedJobAnswersAsTheLiveJobDid() throws Exception {
        jobs(JobManager.Limits.DEFAULT);
        Job job = submit("echo hi", "a1", "a2");
        output(job, "a1", Protocol.STDOUT, 0, "hi\n");
        output(job, "a1", Protocol.STDERR, 1, "warn\n");
        output(job, "a1", Protocol.STDOUT, 2, "more\n");
        output(job, "a2", Protocol.STDOUT, 0, "x");
        succeed(job, "a1");
        assertThat(jobs.get(job.id())).containsSame(job);
        succeed(job, "a2");

        KeptJob kept = jobs.get(job.id()).orElseThrow();
        assertThat(kept).isInstanceOf(FinishedJob.class);
        assertThat(kept.completed()).isTrue();
        // the same JSON, byte for byte, with and without inline output
        assertThat(text(kept.toJson(mapper, INLINE))).isEqualTo(text(job.toJson(mapper, INLINE)));
        assertThat(text(kept.toJson(mapper, 0))).isEqualTo(text(job.toJson(mapper, 0)));
        assertThat(kept.toJson(mapper, INLINE).path("results").get(0).path("stdout").asText()).isEqualTo("hi\nmore\n");
        ArrayNode listed = mapper.createArrayNode();
        jobs.recent(10).forEach(j -> j.addTo(listed, mapper));
        assertThat(text(listed)).isEqualTo("[" + text(job.toJson(mapper, 0)) + "]");
        // and the same output and run states
        assertThat(kept.agentIds(mapper)).isEqualTo(job.agentIds(mapper)).containsExactly("a1", "a2");
        for (String agent : List.of("a1", "a2")) {
            assertThat(kept.runState(agent, mapper)).isEqualTo(job.runState(agent, mapper)).isEqualTo("succeeded");
            for (String stream : new String[] {null, "stdout", "stderr"}) {
                assertThat(kept.output(agent, stream, mapper)).isEqualTo(job.output(agent, stream, mapper));
            }
        }
        assertThat(new String(kept.output("a1", null, mapper), StandardCharsets.UTF_8)).isEqualTo("hi\nwarn\nmore\n");
        assertThat(kept.runState("a3", mapper)).isNull();
        assertThat(jobs.cancel(job.id())).containsSame(kept);
        // job.completed carries the job as stored
        await().atMost(Duration.ofSeconds(10)).until(() -> published.stream().anyMatch(e -> e.type().equals("job.completed")));
        JsonNode completed = published.stream().filter(e -> e.type().equals("job.completed")).findFirst().orElseThrow().data();
        assertThat(text(completed)).isEqualTo(text(job.toJson(mapper, 0)));
        assertThat(text(jobs.stored(job.id()).orElseThrow())).isEqualTo(text(completed));
    }

    @Test
    void keepsTheLastJobsAndLeavesOlderOnesToStorage() {
        jobs(new JobManager.Limits(3, BIG, BIG));
        List<Job> all = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Job job = submit("echo " + i, "a1");
            output(job, "a1", Protocol.STDOUT, 0, i + "\n");
            succeed(job, "a1");
            all.add(job);
        }
        assertThat(jobs.recent(10)).extracting(KeptJob::id)
                .containsExactly(all.get(4).id(), all.get(3).id(), all.get(2).id());
        assertThat(jobs.recent(2)).extracting(KeptJob::id).containsExactly(all.get(4).id(), all.get(3).id());
        assertThat(jobs.get(all.get(0).id())).isEmpty();
        assertThat(jobs.stored(all.get(0).id())).isPresent();
        jobs.flush();
        assertThat(stored).containsKeys(all.stream().map(Job::id).toArray(String[]::new));
        assertThat(jobs.stored(all.get(1).id()).orElseThrow().path("state").asText()).isEqualTo("completed");
    }

    @Test
    void aJobPushedOutWhileRunningStaysUntilItEnds() {
        jobs(new JobManager.Limits(2, BIG, BIG));
        Job longOne = submit("sleep 100", "slow");
        for (int i = 0; i < 3; i++) {
            Job job = submit("echo " + i, "a1");
            succeed(job, "a1");
        }
        assertThat(jobs.recent(10)).extracting(KeptJob::id).doesNotContain(longOne.id()).hasSize(2);
        assertThat(jobs.get(longOne.id())).containsSame(longOne);
        assertThat(jobs.cancel(longOne.id())).isPresent();
        succeed(longOne, "slow");
        assertThat(jobs.get(longOne.id())).isEmpty();
        assertThat(jobs.stored(longOne.id()).orElseThrow().path("state").asText()).isEqualTo("completed");
    }

    @Test
    void beyondTheOutputBudgetTheJobsThatEndedFirstLoseTheirOutput() throws Exception {
        // output above FinishedJob.OUTPUT_IN_RECORD is kept apart from the record and counts against the budget
        String first5k = "1".repeat(5000);
        String second5k = "2".repeat(5000);
        jobs(new JobManager.Limits(100, BIG, 8000));
        Job first = submit("echo first", "a1");
        output(first, "a1", Protocol.STDOUT, 0, first5k);
        succeed(first, "a1");
        Job small = submit("echo small", "a1");
        output(small, "a1", Protocol.STDOUT, 0, "tiny");
        succeed(small, "a1");
        assertThat(new String(jobs.get(first.id()).orElseThrow().output("a1", null, mapper), StandardCharsets.UTF_8))
                .isEqualTo(first5k);
        Job second = submit("echo second", "a1");
        output(second, "a1", Protocol.STDOUT, 0, second5k);
        succeed(second, "a1");

        KeptJob firstKept = jobs.get(first.id()).orElseThrow();
        assertThat(firstKept.output("a1", null, mapper)).isEmpty();
        assertThat(firstKept.toJson(mapper, INLINE).path("results").get(0).path("stdout").asText()).isEmpty();
        assertThat(firstKept.toJson(mapper, INLINE).path("results").get(0).path("output_bytes").asLong()).isEqualTo(5000);
        assertThat(new String(jobs.get(second.id()).orElseThrow().output("a1", "stdout", mapper), StandardCharsets.UTF_8))
                .isEqualTo(second5k);
        // output small enough to be in the record stays with it
        assertThat(new String(jobs.get(small.id()).orElseThrow().output("a1", null, mapper), StandardCharsets.UTF_8))
                .isEqualTo("tiny");
        // the job that just ended keeps its output even alone above the budget
        Job big = submit("echo big", "a1");
        output(big, "a1", Protocol.STDOUT, 0, "3".repeat(9000));
        succeed(big, "a1");
        assertThat(jobs.get(big.id()).orElseThrow().output("a1", null, mapper)).hasSize(9000);
        assertThat(jobs.get(second.id()).orElseThrow().output("a1", null, mapper)).isEmpty();
    }

    @Test
    void manyEndedJobsShareFewArrays() throws Exception {
        jobs(JobManager.Limits.DEFAULT);
        List<Job> all = new java.util.ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Job job = submit("echo " + i, "a" + i % 7, "b");
            output(job, "a" + i % 7, Protocol.STDOUT, 0, "out " + i + "\n");
            output(job, "a" + i % 7, Protocol.STDERR, 1, "err " + i + "\n");
            succeed(job, "a" + i % 7);
            succeed(job, "b");
            all.add(job);
        }
        for (Job job : List.of(all.get(0), all.get(1234), all.get(2999))) {
            KeptJob kept = jobs.get(job.id()).orElseThrow();
            assertThat(kept).isInstanceOf(FinishedJob.class);
            assertThat(text(kept.toJson(mapper, INLINE))).isEqualTo(text(job.toJson(mapper, INLINE)));
            for (String agent : job.agentIds(mapper)) {
                assertThat(kept.output(agent, null, mapper)).isEqualTo(job.output(agent, null, mapper));
                assertThat(kept.output(agent, "stderr", mapper)).isEqualTo(job.output(agent, "stderr", mapper));
            }
        }
    }

    @Test
    void theRecordBudgetBoundsHowManyEndedJobsStay() {
        jobs(new JobManager.Limits(1000, 3_000, BIG));
        for (int i = 0; i < 50; i++) {
            succeed(submit("echo " + i, "a1"), "a1");
        }
        int kept = jobs.recent(1000).size();
        assertThat(kept).isBetween(1, 10);
    }

    @Test
    void aRefusedJobIsKeptAndStored() throws Exception {
        jobs(JobManager.Limits.DEFAULT);
        ObjectNode target = mapper.createObjectNode();
        target.putArray("agent_ids").add("a1");
        Job refused = jobs.refused(new CommandSpec(List.of("rm", "-rf", "/"), null, 1000, 0, null, null), List.of("a1"),
                target, "denied");
        KeptJob kept = jobs.get(refused.id()).orElseThrow();
        assertThat(text(kept.toJson(mapper, INLINE))).isEqualTo(text(refused.toJson(mapper, INLINE)));
        assertThat(kept.runState("a1", mapper)).isEqualTo(CommandRun.REFUSED);
        assertThat(jobs.stored(refused.id())).isPresent();
    }

    /** Records what is published; subscriptions receive nothing. */
    private final class RecordingBus implements EventBus {
        @Override
        public CompletableFuture<Event> publish(String type, String key, Object data) {
            return publish(Event.of(type, "/test", key, null, (JsonNode) data));
        }

        @Override
        public CompletableFuture<Event> publish(Event event) {
            published.add(event);
            return CompletableFuture.completedFuture(event);
        }

        @Override
        public Subscription subscribe(String subscriber, String pattern, EventHandler handler) {
            throw new UnsupportedOperationException();
        }
    }

    /** Storage in a map, one namespace is enough here. */
    private final class MapStorage implements Storage {
        @Override
        public void set(String namespace, String key, JsonNode value) {
            stored.put(key, value);
        }

        @Override
        public Optional<JsonNode> get(String namespace, String key) {
            return Optional.ofNullable(stored.get(key));
        }

        @Override
        public List<String> listKeys(String namespace) {
            return List.copyOf(stored.keySet());
        }

        @Override
        public boolean delete(String namespace, String key) {
            return stored.remove(key) != null;
        }
    }
}
