"""The central server: enrolls kiosks, ingests their batches exactly once, reports the FFT."""
