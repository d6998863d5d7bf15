-- Reply-rate metrics read only this index: the units' letters in a period with their four dates.
CREATE INDEX letters_metrics ON letters(unit_id, received_on, acknowledged_on, ack_due, replied_on, reply_due);
