"""The teaching: advice, lessons, challenges, presets and the words runs are told in."""
