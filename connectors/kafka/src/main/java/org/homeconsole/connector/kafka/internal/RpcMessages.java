package org.homeconsole.connector.kafka.internal;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Records of the service registry's request/reply protocol on the per-node inbox topics.
 *
 * <p>A request carries {@code hc_kind=request}, {@code hc_service}, {@code hc_correlation_id} and
 * {@code hc_reply_to} (the caller's inbox), its value the arguments as JSON. A reply carries
 * {@code hc_kind=reply}, the same {@code hc_correlation_id} and {@code hc_status=ok|error}; its value
 * is the result as JSON, or {@code {"type": "<exception class>", "message": "..."}}.
 */
public final class RpcMessages {

    public static final String KIND = "hc_kind";
    public static final String REQUEST = "request";
    public static final String REPLY = "reply";
    public static final String SERVICE = "hc_service";
    public static final String CORRELATION_ID = "hc_correlation_id";
    public static final String REPLY_TO = "hc_reply_to";
    public static final String STATUS = "hc_status";
    public static final String OK = "ok";
    public static final String ERROR = "error";

    private RpcMessages() {
    }

    public static ProducerRecord<String, byte[]> request(String inbox, String service, String correlationId, String replyTo, byte[] args) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(inbox, service, args);
        Headers headers = record.headers();
        RecordHeaders.put(headers, KIND, REQUEST);
        RecordHeaders.put(headers, SERVICE, service);
        RecordHeaders.put(headers, CORRELATION_ID, correlationId);
        RecordHeaders.put(headers, REPLY_TO, replyTo);
        RecordHeaders.put(headers, CloudEventCodec.CONTENT_TYPE, CloudEventCodec.JSON);
        return record;
    }

    public static ProducerRecord<String, byte[]> reply(String replyTo, String service, String correlationId, boolean ok, byte[] body) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(replyTo, service, body);
        Headers headers = record.headers();
        RecordHeaders.put(headers, KIND, REPLY);
        RecordHeaders.put(headers, SERVICE, service);
        RecordHeaders.put(headers, CORRELATION_ID, correlationId);
        RecordHeaders.put(headers, STATUS, ok ? OK : ERROR);
        RecordHeaders.put(headers, CloudEventCodec.CONTENT_TYPE, CloudEventCodec.JSON);
        return record;
    }
}
