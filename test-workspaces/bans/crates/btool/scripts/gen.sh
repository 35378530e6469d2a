#!/usr/bin/env bash
echo generating
