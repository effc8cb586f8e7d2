"""The outbox's records, moved here from the orders app without touching a row.

State only: the tables stay ``orders_*`` until 0002 renames them; orders/0006 removes the
models from the orders app's state and moves their content types and permissions.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orders", "0005_mask_embedded_invoice"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='DeliveryPause',
                    fields=[
                        ('target', models.CharField(max_length=500, primary_key=True, serialize=False, verbose_name='target')),
                        ('until', models.DateTimeField(verbose_name='until')),
                    ],
                    options={
                        'db_table': 'orders_deliverypause',
                        'verbose_name': 'delivery pause',
                        'verbose_name_plural': 'delivery pauses',
                    },
                ),
                migrations.CreateModel(
                    name='VtexCommand',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('start-handling', 'Start handling'), ('invoice', 'Invoice'), ('tracking-number', 'Tracking number'), ('tracking-events', 'Tracking events'), ('cancel', 'Cancel'), ('change', 'Order change'), ('refresh', 'Refresh from VTEX')], max_length=32, verbose_name='kind')),
                        ('target', models.CharField(choices=[('store', 'Store (OMS)'), ('marketplace', 'Marketplace services endpoint')], default='store', max_length=16, verbose_name='target')),
                        ('target_endpoint', models.URLField(blank=True, help_text='The marketplace services endpoint, when the target is a marketplace.', max_length=500, verbose_name='target endpoint')),
                        ('payload', models.JSONField(blank=True, default=dict, verbose_name='payload')),
                        ('key', models.CharField(help_text='Deterministic: the same request made twice is the same command.', max_length=255, verbose_name='key')),
                        ('state', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('succeeded', 'Succeeded'), ('rejected', 'Rejected by VTEX'), ('retrying', 'Retrying'), ('dead', 'Gave up')], default='pending', max_length=16, verbose_name='state')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                        ('enqueued_at', models.DateTimeField(blank=True, help_text='Set when a delivery task is queued, cleared when an attempt ends.', null=True, verbose_name='handed to the broker at')),
                        ('sending_since', models.DateTimeField(blank=True, null=True, verbose_name='sending since')),
                        ('needs_verification', models.BooleanField(default=False, help_text='The last attempt may have taken effect in VTEX (timeout, 5xx): the order is re-read before sending again.', verbose_name='needs verification')),
                        ('last_error_code', models.CharField(blank=True, max_length=64, verbose_name='last error code')),
                        ('last_error_message', models.TextField(blank=True, verbose_name='last error message')),
                        ('receipt', models.CharField(blank=True, max_length=255, verbose_name='receipt')),
                        ('source', models.CharField(choices=[('feed', 'VTEX feed'), ('hook', 'VTEX hook'), ('backfill', 'Backfill'), ('reconcile', 'Reconciliation'), ('admin', 'Admin'), ('csv', 'CSV import'), ('seller-api', 'Seller API'), ('outbox', 'VTEX command delivery')], default='admin', max_length=20, verbose_name='source')),
                        ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                        ('resolution_note', models.TextField(blank=True, verbose_name='resolution note')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orders.order', verbose_name='order')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='resolved by')),
                    ],
                    options={
                        'db_table': 'orders_vtexcommand',
                        'verbose_name': 'VTEX command',
                        'verbose_name_plural': 'VTEX commands',
                        'ordering': ['-pk'],
                        'permissions': [('start_handling_order', 'Can start handling orders'), ('invoice_order', 'Can send invoices'), ('track_order', 'Can send tracking numbers and events'), ('cancel_order', 'Can cancel orders'), ('register_order_change', 'Can register order changes'), ('refresh_order', 'Can refresh orders from VTEX'), ('retry_vtexcommand', 'Can retry a VTEX command now'), ('resolve_vtexcommand', 'Can mark a VTEX command resolved'), ('view_customer_pii', "Can see customers' full e-mail, document and phone")],
                    },
                ),
                migrations.CreateModel(
                    name='CommandAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('method', models.CharField(max_length=8, verbose_name='method')),
                        ('path', models.CharField(max_length=500, verbose_name='path')),
                        ('request_body', models.JSONField(blank=True, null=True, verbose_name='request body')),
                        ('response_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='response status')),
                        ('response_body', models.TextField(blank=True, verbose_name='response body')),
                        ('error_code', models.CharField(blank=True, max_length=64, verbose_name='error code')),
                        ('outcome', models.CharField(max_length=32, verbose_name='outcome')),
                        ('duration_ms', models.PositiveIntegerField(default=0, verbose_name='duration (ms)')),
                        ('attempted_at', models.DateTimeField(auto_now_add=True, verbose_name='attempted at')),
                        ('task_id', models.CharField(blank=True, max_length=255, verbose_name='task id')),
                        ('command', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='outbox.vtexcommand', verbose_name='command')),
                    ],
                    options={
                        'db_table': 'orders_commandattempt',
                        'verbose_name': 'command attempt',
                        'verbose_name_plural': 'command attempts',
                        'ordering': ['pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='vtexcommand',
                    index=models.Index(fields=['state', 'next_attempt_at'], name='orders_cmd_due_idx'),
                ),
                migrations.AddIndex(
                    model_name='vtexcommand',
                    index=models.Index(fields=['order', 'state'], name='orders_cmd_order_state_idx'),
                ),
                migrations.AddConstraint(
                    model_name='vtexcommand',
                    constraint=models.UniqueConstraint(fields=('key',), name='orders_vtexcommand_key_unique'),
                ),
                migrations.AddConstraint(
                    model_name='vtexcommand',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('target', 'marketplace'), _negated=True), models.Q(('target_endpoint', ''), _negated=True), _connector='OR'), name='orders_vtexcommand_marketplace_has_endpoint'),
                ),
            ],
        ),
    ]
