"""Ensemble feedback: the community side — members, submissions, votes, field events."""
