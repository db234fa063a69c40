#!/usr/bin/env node
import { main } from '../dist/bundle/apprights.js';

process.exitCode = await main(process.argv.slice(2));
