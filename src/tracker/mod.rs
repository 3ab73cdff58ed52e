//! The tracking-pixel HTTP endpoint and its batched writer of opens.
