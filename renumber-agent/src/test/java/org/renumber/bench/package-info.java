/**
 * The performance benchmark of issue 2: prints figures, asserts nothing about speed, and is not part of the
 * normal build ({@code mvn verify} excludes the JUnit tag {@code benchmark}). Run it as root:
 * <pre>
 *   mvn -q -Pbenchmark test                              # N = 10,000 connections, 20 changes per P2 mode
 *   mvn -q -Pbenchmark test -Dn=100000 -Dchanges=100     # N = 100,000, 100 changes per P2 mode
 * </pre>
 * {@link org.renumber.bench.RenumberBenchmark} says what P1, P2 and P3 measure and how;
 * {@link org.renumber.bench.LoadNetwork} how the N connections are set up (namespaces {@code rn-bench-*},
 * deleted afterwards); {@link org.renumber.bench.ConnectionHolder} is the helper JVM that holds them.
 */
package org.renumber.bench;
