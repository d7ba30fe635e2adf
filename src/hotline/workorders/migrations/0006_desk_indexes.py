"""Indexes for the desks' queues, measured by `hotline bench desks` on 1,000,000 cases."""
from django.db import migrations, models

import hotline.workorders.models


class Migration(migrations.Migration):

    dependencies = [
        ('workorders', '0005_reason_codes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='workorder',
            index=models.Index(fields=['status', 'received_at', 'id'], name='workorder_desk_queue'),
        ),
        migrations.AddIndex(
            model_name='workorder',
            index=models.Index(fields=['unit', 'status', 'deadline'], name='workorder_unit_inbox'),
        ),
        migrations.AddIndex(
            model_name='workorder',
            index=models.Index(fields=['overdue', 'status', 'deadline', 'id'], name='workorder_overdue'),
        ),
        migrations.AddIndex(
            model_name='workorder',
            index=models.Index(fields=['citizen_phone'], name='workorder_phone'),
        ),
        migrations.AddIndex(
            model_name='workorder',
            index=models.Index(hotline.workorders.models.PhoneTail('citizen_phone'), name='workorder_phone_tail'),
        ),
    ]
