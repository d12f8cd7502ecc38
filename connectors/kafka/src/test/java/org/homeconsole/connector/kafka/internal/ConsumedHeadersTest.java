package org.homeconsole.connector.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class ConsumedHeadersTest {

    @Test
    void shouldReadTheByteViewsOfTheKafkaVersionTheBuildUses() {
        // a Kafka upgrade that renames RecordHeader's fields would silently put the bus back on key() and value()
        assertThat(ConsumedHeaders.direct()).isTrue();
    }

    @Test
    void shouldReadAConsumedHeaderAsItsPublicMethodsWould() {
        // given: a header as the consumer makes it, its key and value views of a larger record buffer
        byte[] record = "xxce_typenote.addedyy".getBytes(StandardCharsets.UTF_8);
        Header header = new RecordHeader(ByteBuffer.wrap(record, 2, 7).slice(), ByteBuffer.wrap(record, 9, 10).slice());

        // when
        ByteBuffer key = ConsumedHeaders.keyBytes(header);
        byte[] value = ConsumedHeaders.value(header);

        // then: the bytes, and the header left as it was (its own methods still give the same)
        assertThat(ConsumedHeaders.is(key, "ce_type".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(ConsumedHeaders.is(key, "ce_time".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(ConsumedHeaders.is(key, "ce_typ".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo("note.added");
        assertThat(ConsumedHeaders.hasValue(header)).isTrue();
        assertThat(header.key()).isEqualTo("ce_type");
        assertThat(header.value()).isEqualTo(value);
    }

    @Test
    void shouldGoThroughThePublicMethodsOnceTheViewsAreGone() {
        // given: key() and value() called already (they drop the views), a header without a value, another class
        Header read = new RecordHeader(ByteBuffer.wrap(bytes("ce_id")), ByteBuffer.wrap(bytes("b-1")));
        read.key();
        read.value();
        Header noValue = new RecordHeader(ByteBuffer.wrap(bytes("ce_id")), null);
        Header other = new Header() {
            @Override
            public String key() {
                return "ce_id";
            }

            @Override
            public byte[] value() {
                return bytes("b-2");
            }
        };

        // then
        assertThat(ConsumedHeaders.keyBytes(read)).isNull();
        assertThat(ConsumedHeaders.value(read)).isEqualTo(bytes("b-1"));
        assertThat(ConsumedHeaders.hasValue(noValue)).isFalse();
        assertThat(ConsumedHeaders.value(noValue)).isNull();
        assertThat(ConsumedHeaders.keyBytes(other)).isNull();
        assertThat(ConsumedHeaders.value(other)).isEqualTo(bytes("b-2"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
