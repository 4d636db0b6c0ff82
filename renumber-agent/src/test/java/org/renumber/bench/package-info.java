/**
 * The performance benchmark of issues 2 and 14: prints figures with MISSED next to any that misses its target,
 * asserts nothing about speed, and is not part of the normal build ({@code mvn verify} excludes the JUnit tag {@code benchmark}). Run it as root:
 * <pre>
 *   mvn -q -Pbenchmark test                              # N = 10,000 connections, 20 changes per P2 mode
 *   mvn -q -Pbenchmark test -Dn=100000 -Dchanges=100     # N = 100,000, 100 changes per P2 mode
 * </pre>
 * {@link org.renumber.bench.RenumberBenchmark} says what P1 to P5 measure and how ({@link org.renumber.bench.Lookup}
 * P1, {@link org.renumber.bench.FanOut} P3 and P5, {@link org.renumber.bench.HandRenumbering} P4,
 * {@link org.renumber.bench.Table} the targets and the machine facts);
 * {@link org.renumber.bench.LoadNetwork} how the N connections are set up (namespaces {@code rn-bench-*},
 * deleted afterwards); {@link org.renumber.bench.ConnectionHolder} is the helper JVM that holds them.
 * {@link org.renumber.bench.SoakBenchmark} (issue 13) is run on its own, with {@code -Dtest=SoakBenchmark}: heap
 * after GC, threads and descriptors of the packaged agent over 500 changes with 1,000 listened-to subscriptions.
 */
package org.renumber.bench;
