/**
 * Stand-in for TornadoVM 5.2.0's task-graph API (see the module description): tasks run in order on
 * the calling thread, on device copies of their arrays that only the declared transfers connect to
 * host memory; nothing is compiled and no device is used.
 */
package uk.ac.manchester.tornado.api;
