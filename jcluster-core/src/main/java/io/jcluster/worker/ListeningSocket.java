package io.jcluster.worker;

/**
 * A listening socket the primary passed to this worker for an unmodified server's bind (jcluster's agent):
 * {@code fd} is the receiver's to own; {@code host} is the address as asked ("" for every interface) and
 * {@code port} the bound port (the one the primary chose, for a bind of port 0).
 */
public record ListeningSocket(int fd, String host, int port) { }
