"""Special reports (专报) to a leader and the leader's instruction (批示); their event kinds."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0003_user_roles'),
        ('workorders', '0006_desk_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SpecialReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.TextField(max_length=1000, verbose_name='报送说明')),
                ('raised_at', models.DateTimeField(verbose_name='报送时间')),
                ('instruction', models.TextField(blank=True, max_length=2000, verbose_name='领导批示')),
                ('instructed_at', models.DateTimeField(blank=True, null=True, verbose_name='批示时间')),
            ],
            options={
                'verbose_name': '专报',
                'verbose_name_plural': '专报',
                'ordering': ['-raised_at', '-id'],
            },
        ),
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(choices=[('create', '受理'), ('answer', '在线直接答复'), ('dispatch', '派单'), ('accept', '签收'), ('return', '退回'), ('redispatch', '改派'), ('contact', '联系当事人'), ('request_extension', '申请延期'), ('approve_extension', '批准延期'), ('refuse_extension', '不予延期'), ('reply', '办结回复'), ('accept_reply', '审核通过'), ('rework', '退回返工'), ('callback', '回访'), ('verify', '核实不满意'), ('supervise', '督办'), ('rectify', '整改回复'), ('close', '办结归档'), ('merge', '合并重复件'), ('mark_invalid', '标记无效'), ('overdue', '超期'), ('remind', '临期提醒'), ('absorb', '并入重复来电'), ('report', '专报领导'), ('instruct', '领导批示')], max_length=24, verbose_name='动作'),
        ),
        migrations.AddField(
            model_name='specialreport',
            name='instructed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='批示人'),
        ),
        migrations.AddField(
            model_name='specialreport',
            name='order',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='special_reports', to='workorders.workorder', verbose_name='工单'),
        ),
        migrations.AddField(
            model_name='specialreport',
            name='raised_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='报送人'),
        ),
        migrations.AddField(
            model_name='specialreport',
            name='to_leader',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='special_reports', to=settings.AUTH_USER_MODEL, verbose_name='报送领导'),
        ),
        migrations.AddIndex(
            model_name='specialreport',
            index=models.Index(fields=['to_leader', 'instructed_at', 'raised_at'], name='report_awaiting'),
        ),
    ]
