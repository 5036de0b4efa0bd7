package io.jcluster.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;

/** The request decoder and the response encoder of a connection ({@link HttpServerHandler}). */
final class Codec {
    private Codec() {
    }

    /**
     * Netty's response encoder, for the responses it still encodes (refusals, 100 Continue); those
     * {@link ResponseWriter} encodes itself are buffers, and pass through it untouched.
     */
    static final class Encoder extends HttpResponseEncoder {
        @Override
        public boolean acceptOutboundMessage(Object msg) throws Exception {
            return !(msg instanceof ByteBuf) && super.acceptOutboundMessage(msg);
        }
    }

    /**
     * Netty's request decoder, telling the handler when bytes arrive (a request's clock starts with its first
     * byte) and whether a head came with both Transfer-Encoding: chunked and Content-Length.
     */
    static final class Decoder extends HttpRequestDecoder {
        private final Runnable bytesReceived;
        private boolean lengthWithChunked;

        Decoder(HttpDecoderConfig config, Runnable bytesReceived) {
            super(config);
            this.bytesReceived = bytesReceived;
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) throws Exception {
            bytesReceived.run();
            super.channelRead(c, msg);
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            // Netty drops the Content-Length and goes by chunked (RFC 9112 §6.3 allows it); a proxy in front might
            // have gone by the length: the handler refuses it instead, as a smuggling attempt.
            lengthWithChunked = true;
            super.handleTransferEncodingChunkedWithContentLength(message);
        }

        /** True once a head had both; the connection is then refused and closed. */
        boolean sawLengthWithChunked() {
            return lengthWithChunked;
        }
    }
}
