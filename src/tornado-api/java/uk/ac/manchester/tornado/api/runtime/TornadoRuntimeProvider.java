package uk.ac.manchester.tornado.api.runtime;

import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/** Entry point to the runtime. The stand-in's runtime has no backends and no devices. */
public class TornadoRuntimeProvider {
    private static final TornadoRuntime NO_DEVICES = new TornadoRuntime() {
        @Override
        public int getNumBackends() {
            return 0;
        }

        @Override
        public TornadoBackend getBackend(int index) {
            throw new IllegalArgumentException("no TornadoVM backend " + index + ": the stand-in API has none");
        }

        @Override
        public TornadoDevice getDefaultDevice() {
            throw new IllegalStateException("no TornadoVM device: the stand-in API has none");
        }
    };

    public static TornadoRuntime getTornadoRuntime() {
        return NO_DEVICES;
    }
}
