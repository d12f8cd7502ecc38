package org.homeconsole.clientmanager.sockets;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Puts one socket's frames back together into messages the way docs/agent-protocol.md §2 counts them: a
 * message's size in bytes (not characters), and a text message that is not valid UTF-8 refused rather than
 * read with replacement characters (RFC 6455 §8.1, close 1007). Vert.x's own text handler does neither, so
 * the gateway takes raw frames. Used on the socket's event loop only.
 */
final class FrameReader {

    /** What the reader found; each method is called for a whole message. */
    interface Messages {
        void text(String text);

        void binary();

        /** The message grew beyond the limit; nothing more is read. */
        void tooBig(long bytes);

        /** A text message that is not UTF-8; nothing more is read. */
        void notUtf8();
    }

    private final int maxBytes;
    private final Messages messages;
    /** The frames so far of a message split over several; null between messages and for one-frame messages. */
    private Buffer partial;
    private boolean partialIsText;
    private boolean failed;

    FrameReader(int maxBytes, Messages messages) {
        this.maxBytes = maxBytes;
        this.messages = messages;
    }

    void frame(WebSocketFrame frame) {
        if (failed || !(frame.isText() || frame.isBinary() || frame.isContinuation())) {
            return; // ping, pong and close are Vert.x's
        }
        Buffer data = frame.binaryData();
        if (!frame.isContinuation()) {
            partial = null;
            partialIsText = frame.isText();
        }
        long size = (partial == null ? 0 : partial.length()) + data.length();
        if (size > maxBytes) {
            failed = true;
            partial = null;
            messages.tooBig(size);
            return;
        }
        if (!frame.isFinal()) {
            if (partial == null) {
                partial = Buffer.buffer((int) Math.min(maxBytes, 2 * size));
            }
            partial.appendBuffer(data);
            return;
        }
        Buffer whole = partial == null ? data : partial.appendBuffer(data);
        partial = null;
        if (!partialIsText) {
            messages.binary();
            return;
        }
        String text = utf8(whole.getByteBuf());
        if (text == null) {
            failed = true;
            messages.notUtf8();
            return;
        }
        messages.text(text);
    }

    /** The text of valid UTF-8, else null. Decodes once; only text holding U+FFFD is checked strictly again. */
    static String utf8(ByteBuf bytes) {
        String text = bytes.toString(StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return text;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(bytes.nioBuffer());
            return text; // the sender wrote U+FFFD itself
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
