package io.jcluster.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;

/**
 * The answers of requests refused before any handler runs, each closing the connection: their statuses and
 * their one form, {@code {"error":"<reason phrase>"}} as JSON with Date and {@code Connection: close}, in
 * HTTP/1.1 whatever the request's version (RFC 9110 §2.5).
 */
final class Refusals {
    static final HttpResponseStatus BAD_REQUEST = HttpResponseStatus.BAD_REQUEST;
    static final HttpResponseStatus REQUEST_TIMEOUT = HttpResponseStatus.REQUEST_TIMEOUT;
    static final HttpResponseStatus PAYLOAD_TOO_LARGE = new HttpResponseStatus(413, "Payload Too Large");
    static final HttpResponseStatus URI_TOO_LONG = new HttpResponseStatus(414, "URI Too Long");
    static final HttpResponseStatus EXPECTATION_FAILED = HttpResponseStatus.EXPECTATION_FAILED;
    static final HttpResponseStatus VERSION_NOT_SUPPORTED = HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED;
    static final HttpResponseStatus HEADERS_TOO_LARGE = new HttpResponseStatus(431, "Request Header Fields Too Large");
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private Refusals() {
    }

    /** The status for a request the decoder could not decode: 414, 431 for a head over the limits, else 400. */
    static HttpResponseStatus ofDecoderFailure(Throwable cause, boolean inHead) {
        if (inHead && cause instanceof TooLongHttpLineException) {
            return URI_TOO_LONG;
        }
        if (inHead && cause instanceof TooLongHttpHeaderException) {
            return HEADERS_TOO_LARGE;
        }
        return BAD_REQUEST;
    }

    /** The refusal with {@code status}. */
    static FullHttpResponse response(HttpResponseStatus status) {
        byte[] json = ("{\"error\":\"" + status.reasonPhrase() + "\"}").getBytes(StandardCharsets.US_ASCII);
        HttpHeaders headers = HEADERS.newHeaders();
        headers.set(HttpHeaderNames.CONTENT_TYPE, Response.JSON_UTF8);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        headers.set(HttpHeaderNames.DATE, HttpDate.value());
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(json), headers,
                EmptyHttpHeaders.INSTANCE);
    }
}
