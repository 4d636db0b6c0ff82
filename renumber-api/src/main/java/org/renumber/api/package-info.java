/**
 * The agent's wire contract, written once: the ObjectNames of its MBeans, its operations' signatures, its
 * notification types and the keys of their user data. Scripts, the client library and the agent all read it from
 * here. JDK only, so anything may depend on it.
 */
package org.renumber.api;
