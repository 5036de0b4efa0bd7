package io.jcluster.http;

/** Continues a request's chain from a {@link Middleware}: the next matching middleware, then the route. */
@FunctionalInterface
public interface Next {
    /**
     * Runs the rest of the chain and returns when it is done. It may be called once per middleware; calling
     * it again throws {@link IllegalStateException}. Exceptions of the rest of the chain propagate out of it.
     */
    void next() throws Exception;
}
