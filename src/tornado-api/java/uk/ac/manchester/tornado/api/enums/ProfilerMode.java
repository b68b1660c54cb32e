package uk.ac.manchester.tornado.api.enums;

public enum ProfilerMode {
    CONSOLE, SILENT
}
