/**
 * The durable journal of changes and subscriptions, and the service settings, as JSON files in the state
 * directory written atomically and fsync'd before the service acts on the kernel.
 */
package org.renumber.journal;
