/**
 * The address change service: validates requests, runs each change's state machine
 * ({@link org.renumber.service.ChangeWorkflow}) against the domain ports, and keeps the subscribers.
 * Adapters (JMX, Jolokia, CLI) call in here; nothing here knows about them.
 */
package org.renumber.service;
