package uk.ac.manchester.tornado.api.enums;

public enum TornadoDeviceType {
    DEFAULT, CPU, GPU, FPGA, ACCELERATOR, CUSTOM, ALL
}
