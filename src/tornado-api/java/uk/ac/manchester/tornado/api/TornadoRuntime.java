package uk.ac.manchester.tornado.api;

import uk.ac.manchester.tornado.api.common.TornadoDevice;

/** TornadoVM's runtime: its backends and their devices. */
public interface TornadoRuntime {
    int getNumBackends();

    TornadoBackend getBackend(int index);

    TornadoDevice getDefaultDevice();
}
