/**
 * An Express-style HTTP/1.1 layer on Netty whose {@link io.jcluster.http.App#listen listen} is shared
 * through the cluster: {@link io.jcluster.http.App} (routes, middleware, error handler, listen, close),
 * {@link io.jcluster.http.Request} and {@link io.jcluster.http.Response}, the callback types
 * {@link io.jcluster.http.Handler}, {@link io.jcluster.http.Middleware}, {@link io.jcluster.http.Next} and
 * {@link io.jcluster.http.ErrorHandler}, {@link io.jcluster.http.HttpOptions} for limits and timeouts, and
 * {@link io.jcluster.http.HttpException} for errors with a status; WebSockets through
 * {@link io.jcluster.http.App#ws}: {@link io.jcluster.http.WebSocket}, {@link io.jcluster.http.WebSocketHandler},
 * {@link io.jcluster.http.WebSocketOptions}.
 */
package io.jcluster.http;
