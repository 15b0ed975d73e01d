#!/usr/bin/env node
// tandem's entry point (placeholder until the config compiler lands).
console.log('tandem');
