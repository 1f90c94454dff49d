/**
 * Test kit of the Python plugin, for the host's and the command line's tests: wheels built in memory and a PyPI
 * "simple" index on loopback to serve them (this machine cannot download real packages).
 */
export { makeWheel, type TestWheel } from './runtime/testing/make-wheel';
export { serveSimpleIndex, type SimpleIndex } from './runtime/testing/simple-index';
