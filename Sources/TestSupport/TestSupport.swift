// The TestSupport module. See README.md for how the modules fit together.
