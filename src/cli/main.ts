#!/usr/bin/env node
// tandemadm's entry point (placeholder).
console.log('tandemadm');
